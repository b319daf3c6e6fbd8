import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { ApproverRule, readApproverRule } from '../approvals';
import { readReportedKinds } from '../http';

/** `envParity.access`, read once at start-up with every default applied. */
export interface AccessOptions {
  /**
   * The entity kinds access may be requested to: those Env Parity reports
   * on, `envParity.collector.kinds`.
   */
  kinds: string[];
  maxDurationMinutes: number;
  minReasonLength: number;
  maxReasonLength: number;
  maxCommentLength: number;
  ticketPattern?: string;
  ticketRequired: boolean;
  approvers: ApproverRule;
  /**
   * Whether members of groups below the approver group (`spec.parent`,
   * `childOf`) count as its members; otherwise only direct members do.
   */
  nestedGroups: boolean;
  requiredApprovals: number;
  reviewTimeoutMs: number;
  breakGlassEnabled: boolean;
  expiryWarningMs: number;
  provisioner: string;
  /** Instruction templates by environment name. */
  instructions: Record<string, string>;
  /** An `approved` request not granted after this long is granted again by the sweep. */
  grantLeaseMs: number;
  /** Backoff of failed provisioning: base, doubled per attempt, up to max. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_ACCESS_OPTIONS: AccessOptions = {
  kinds: ['Component'],
  maxDurationMinutes: 8 * 60,
  minReasonLength: 10,
  maxReasonLength: 2000,
  maxCommentLength: 2000,
  ticketRequired: false,
  approvers: { type: 'environment-owner' },
  nestedGroups: false,
  requiredApprovals: 1,
  reviewTimeoutMs: 24 * 60 * 60 * 1000,
  breakGlassEnabled: false,
  expiryWarningMs: 15 * 60 * 1000,
  provisioner: 'record-only',
  instructions: {},
  grantLeaseMs: 2 * 60 * 1000,
  retryBaseMs: 60 * 1000,
  retryMaxMs: 60 * 60 * 1000,
};

function duration(config: Config, key: string): number | undefined {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : undefined;
}

function positiveInteger(config: Config, key: string, min = 1) {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new InputError(
      `envParity.access.${key} must be a whole number of at least ${min}`,
    );
  }
  return value;
}

/** Reads `envParity.access`; a bad value stops start-up with a message naming it. */
export function readAccessOptions(root: Config): AccessOptions {
  const d = { ...DEFAULT_ACCESS_OPTIONS, kinds: readReportedKinds(root) };
  const config = root.getOptionalConfig('envParity.access');
  if (!config) {
    return d;
  }

  const maxDurationMs = duration(config, 'maxDuration');
  const maxDurationMinutes =
    maxDurationMs === undefined
      ? d.maxDurationMinutes
      : Math.floor(maxDurationMs / 60_000);
  if (maxDurationMinutes < 1) {
    throw new InputError(
      'envParity.access.maxDuration must be at least one minute',
    );
  }

  const ticketPattern = config.getOptionalString('ticketPattern');
  if (ticketPattern !== undefined) {
    try {
      // eslint-disable-next-line no-new
      new RegExp(ticketPattern);
    } catch (error) {
      throw new InputError(
        `envParity.access.ticketPattern is not a valid regular expression: ${error}`,
      );
    }
  }

  const approvers = readApproverRule(config, 'approvers', {
    key: 'envParity.access.approvers',
    fallback: d.approvers,
  })!;

  const instructions: Record<string, string> = {};
  const instructionsConfig = config.getOptionalConfig('instructions');
  for (const key of instructionsConfig?.keys() ?? []) {
    instructions[key] = instructionsConfig!.getString(key);
  }

  const minReasonLength =
    positiveInteger(config, 'minReasonLength', 0) ?? d.minReasonLength;
  if (minReasonLength > d.maxReasonLength) {
    throw new InputError(
      `envParity.access.minReasonLength must be at most ${d.maxReasonLength}`,
    );
  }

  return {
    ...d,
    maxDurationMinutes,
    minReasonLength,
    ticketPattern,
    ticketRequired: config.getOptionalBoolean('ticketRequired') ?? false,
    approvers,
    nestedGroups: config.getOptionalBoolean('nestedGroups') ?? d.nestedGroups,
    requiredApprovals:
      positiveInteger(config, 'requiredApprovals') ?? d.requiredApprovals,
    reviewTimeoutMs: duration(config, 'reviewTimeout') ?? d.reviewTimeoutMs,
    breakGlassEnabled:
      config.getOptionalBoolean('breakGlass.enabled') ?? d.breakGlassEnabled,
    expiryWarningMs: duration(config, 'expiryWarning') ?? d.expiryWarningMs,
    provisioner: config.getOptionalString('provisioner') ?? d.provisioner,
    instructions,
  };
}

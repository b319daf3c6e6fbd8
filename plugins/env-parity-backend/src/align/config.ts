import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { ApprovalPolicy, readApproverRule } from '../approvals';
import { readReportedKinds } from '../http';
import {
  DEFAULT_ALIGN_REVIEW_TIMEOUT_MS,
  readAlignReviewTimeout,
} from './AlignmentLifecycle';
import { FollowOptions, readFollowOptions } from './follow/config';

/** One environment's alignment policy, `envParity.align.environments.<name>`. */
export interface AlignEnvironmentPolicy {
  /** The deployer's id. */
  deployer: string;
  /** Undefined: no approval needed (`approval: none`). */
  approval?: ApprovalPolicy;
  verifyTimeoutMs: number;
}

/** `envParity.align`, read once at start-up with every default applied. */
export interface AlignOptions {
  /** The entity kinds that may be aligned (`envParity.collector.kinds`). */
  kinds: string[];
  /** The environments alignment is enabled for. */
  environments: Record<string, AlignEnvironmentPolicy>;
  /** Open alignments one user may have asked for at once. */
  maxOpenPerUser: number;
  nestedGroups: boolean;
  minReasonLength: number;
  maxReasonLength: number;
  maxCommentLength: number;
  /** How long one deployer call may take before it is aborted. */
  dispatchTimeoutMs: number;
  /**
   * An alignment `dispatched` for longer than this (its replica stopped
   * during the call) is moved to `verifying` by the sweep.
   */
  dispatchLeaseMs: number;
  /** How often the sweep checks verifying alignments against stored reports. */
  sweepIntervalMs: number;
  /**
   * An alignment pending approval longer than this ends timed-out (the
   * sweep).
   */
  reviewTimeoutMs: number;
  /** `envParity.align.follow`; undefined when not configured. */
  follow?: FollowOptions;
}

const MINUTE = 60_000;

export const DEFAULT_ALIGN_OPTIONS: AlignOptions = {
  kinds: ['Component'],
  environments: {},
  maxOpenPerUser: 10,
  nestedGroups: false,
  minReasonLength: 10,
  maxReasonLength: 2000,
  maxCommentLength: 2000,
  dispatchTimeoutMs: 5 * MINUTE,
  dispatchLeaseMs: 10 * MINUTE,
  sweepIntervalMs: MINUTE,
  reviewTimeoutMs: DEFAULT_ALIGN_REVIEW_TIMEOUT_MS,
};

/** The default verification timeout: 30 minutes. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 30 * MINUTE;

function duration(config: Config, key: string): number | undefined {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : undefined;
}

function wholeNumber(config: Config, key: string, full: string, min = 1) {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new InputError(`${full} must be a whole number of at least ${min}`);
  }
  return value;
}

/**
 * Reads `envParity.align`; undefined when it is absent (alignment off). A
 * bad value stops start-up with a message naming its key.
 */
export function readAlignOptions(root: Config): AlignOptions | undefined {
  const config = root.getOptionalConfig('envParity.align');
  if (!config) {
    return undefined;
  }
  const d = DEFAULT_ALIGN_OPTIONS;
  const environments: Record<string, AlignEnvironmentPolicy> = {};
  const envs = config.getOptionalConfig('environments');
  for (const name of envs?.keys() ?? []) {
    const env = envs!.getConfig(name);
    const key = `envParity.align.environments.${name}`;
    if (!(env.getOptionalBoolean('enabled') ?? true)) {
      continue;
    }
    const rule = readApproverRule(env, 'approval', {
      key: `${key}.approval`,
      allowNone: true,
      fallback: { type: 'environment-owner' },
    });
    const requiredApprovals =
      wholeNumber(env, 'requiredApprovals', `${key}.requiredApprovals`) ?? 1;
    const verifyTimeoutMs =
      duration(env, 'verificationTimeout') ?? DEFAULT_VERIFY_TIMEOUT_MS;
    if (verifyTimeoutMs < 1000) {
      throw new InputError(
        `${key}.verificationTimeout must be at least a second`,
      );
    }
    environments[name] = {
      deployer: env.getString('deployer'),
      ...(rule && { approval: { approvers: rule, requiredApprovals } }),
      verifyTimeoutMs,
    };
  }
  const minReasonLength =
    wholeNumber(
      config,
      'minReasonLength',
      'envParity.align.minReasonLength',
      0,
    ) ?? d.minReasonLength;
  if (minReasonLength > d.maxReasonLength) {
    throw new InputError(
      `envParity.align.minReasonLength must be at most ${d.maxReasonLength}`,
    );
  }
  const dispatchTimeoutMs =
    duration(config, 'dispatchTimeout') ?? d.dispatchTimeoutMs;
  const dispatchLeaseMs =
    duration(config, 'dispatchLease') ?? d.dispatchLeaseMs;
  if (dispatchLeaseMs <= dispatchTimeoutMs) {
    throw new InputError(
      'envParity.align.dispatchLease must be longer than envParity.align.dispatchTimeout, or a slow deployer call would be taken for a stopped one',
    );
  }
  const follow = readFollowOptions(config, Object.keys(environments));
  return {
    ...d,
    kinds: readReportedKinds(root),
    environments,
    maxOpenPerUser:
      wholeNumber(config, 'maxOpenPerUser', 'envParity.align.maxOpenPerUser') ??
      d.maxOpenPerUser,
    nestedGroups: config.getOptionalBoolean('nestedGroups') ?? d.nestedGroups,
    minReasonLength,
    dispatchTimeoutMs,
    dispatchLeaseMs,
    sweepIntervalMs: duration(config, 'sweepInterval') ?? d.sweepIntervalMs,
    reviewTimeoutMs: readAlignReviewTimeout(config),
    ...(follow && { follow }),
  };
}

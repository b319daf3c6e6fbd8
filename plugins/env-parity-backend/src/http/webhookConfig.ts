import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/**
 * The keys every signed webhook of the plugin is configured with (the
 * access provisioner's, the alignment deployer's): `url`, `secret`, an
 * optional `timeout` (a duration) and `attempts`.
 */
export function readWebhookConfig(config: Config): {
  url: string;
  secret: string;
  timeoutMs?: number;
  attempts?: number;
} {
  return {
    url: config.getString('url'),
    secret: config.getString('secret'),
    timeoutMs: config.has('timeout')
      ? durationToMilliseconds(
          readDurationFromConfig(config, { key: 'timeout' }),
        )
      : undefined,
    attempts: config.getOptionalNumber('attempts'),
  };
}

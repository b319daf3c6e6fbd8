import { HumanDuration } from '@backstage/types';

export interface Config {
  envParity?: {
    /**
     * The HTTP version provider: reads what each environment of a service
     * says it runs from its version endpoint,
     * `env-parity/<env>.version-url`, or `env-parity/<env>.url` plus
     * `defaultPath`. Without this block the module reads nothing.
     */
    http?: {
      /**
       * Hosts version endpoints may be on; nothing else is ever requested.
       * Entries: `host`, `host:port`, `*.domain` or `*.domain:port`, e.g.
       * `api.example.com`, `*.internal.example.com`, `127.0.0.1:7010`,
       * `[::1]:7010`. `*.` matches one or more leading labels
       * (`*.internal.example.com` matches `a.internal.example.com` and
       * `a.b.internal.example.com`, not `internal.example.com`); it must be
       * followed by at least two labels, and a bare `*` is refused. Without
       * a port an entry allows only the scheme's default port (80 for http,
       * 443 for https); `host:*` allows any port. Host names are
       * case-insensitive.
       */
      allowedHosts: string[];
      /**
       * Also allow hosts that resolve to non-public addresses: private
       * (10/8, 172.16/12, 192.168/16), loopback, link-local, unique-local
       * (fc00::/7), carrier-grade NAT (100.64/10) and reserved ranges.
       * Defaults to false. Cloud metadata endpoints (169.254.169.254,
       * fd00:ec2::254, ...), unspecified, broadcast and multicast addresses
       * are refused regardless.
       */
      allowPrivateNetworks?: boolean;
      /**
       * A narrower alternative to `allowPrivateNetworks`: CIDR ranges whose
       * non-public addresses are allowed, e.g. `10.20.0.0/16`.
       */
      allowedNetworks?: string[];
      /**
       * Path appended to `env-parity/<env>.url` when an environment has no
       * `env-parity/<env>.version-url`, e.g. `/actuator/info`. It cannot
       * leave the base URL (no `..`, encoded slashes or absolute URLs).
       * Defaults to `/version`.
       */
      defaultPath?: string;
      /**
       * Total time for one version request, redirects included, e.g.
       * `{ seconds: 5 }` or `5s`. Defaults to 10 seconds. Connecting (DNS, TCP, TLS) may take at most 5
       * seconds of it.
       */
      timeout?: HumanDuration | string;
      /** Largest response body read, in bytes. Defaults to 262144 (256 KiB). */
      maxBodyBytes?: number;
      /**
       * Redirects followed within the same origin (scheme, host and port).
       * Defaults to 3. Redirects to another origin are never followed: the
       * environment shows an error naming the target.
       */
      maxRedirects?: number;
      /**
       * Dot paths into the JSON response, tried before the built-in ones
       * (see the module README), e.g. `release.name` reads
       * `{"release": {"name": "1.2.3"}}`. A path is looked up as nested
       * objects first, then as one flat key.
       */
      fieldPaths?: {
        /** Where the version label is. */
        version?: string;
        /** Where the git commit SHA is. */
        revision?: string;
        /** Where the image reference is. */
        artifact?: string;
        /** Where the deployment (or build) time is. */
        deployedAt?: string;
      };
      /**
       * Headers sent to matching hosts only, e.g. an `Authorization` header
       * for an endpoint that needs one. They come from this configuration
       * only, never from catalog annotations, and are never shown in errors.
       */
      hosts?: Array<{
        /** A host pattern, with the same syntax as `allowedHosts`. */
        host: string;
        /**
         * Header names and values, e.g. `Authorization: Bearer ${VERSION_TOKEN}`.
         * Cookies, `Host` and hop-by-hop headers are refused.
         * @visibility secret
         */
        headers: {
          /** @visibility secret */
          [name: string]: string;
        };
      }>;
    };
  };
}

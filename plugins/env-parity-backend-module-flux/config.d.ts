export interface Config {
  envParity?: {
    /**
     * The Flux module reads Flux Kustomizations and HelmReleases in the
     * clusters `envParity.kubernetes` maps to environments (same clusters,
     * same mapping, same direct or proxy mode as the Kubernetes module).
     */
    flux?: {
      /**
       * Read Flux objects (default true whenever `envParity.kubernetes` is
       * configured); false turns the module off.
       */
      enabled?: boolean;
    };
  };
}

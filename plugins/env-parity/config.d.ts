export interface Config {
  /** Configuration of the Env Parity plugin. */
  envParity?: {
    /** The "Reproduce production" card on the Parity tab. */
    reproduce?: {
      /**
       * A Scaffolder template that starts a replica of production. When
       * set, the card shows "Launch a production replica", linking to
       * `/create/templates/<namespace>/<name>` with the form prefilled
       * (`formData`) with `entityRef`, `environment`, `artifact`, `image`
       * (repository@digest when pinned), `revision` and `version`, so the
       * template's parameters should use those names. Given as `name`
       * (namespace `default`), `namespace/name` or
       * `template:namespace/name`. Without it the link is not shown.
       * @visibility frontend
       */
      scaffolderTemplate?: string;
    };
  };
}

import { RootConfigService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';

/**
 * Builds links to an entity's Parity tab in the Backstage app
 * (`app.baseUrl`), for answers that point a person to the full picture.
 */
export class ParityLinks {
  private readonly baseUrl: string;

  constructor(appBaseUrl: string) {
    this.baseUrl = appBaseUrl.replace(/\/+$/, '');
  }

  static fromConfig(config: RootConfigService): ParityLinks {
    return new ParityLinks(
      config.getOptionalString('app.baseUrl') ?? 'http://localhost:3000',
    );
  }

  /** e.g. `https://backstage.example.com/catalog/default/component/payments/parity#access`. */
  parityTab(entityRef: string, section?: string): string {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path = [namespace, kind.toLocaleLowerCase('en-US'), name]
      .map(encodeURIComponent)
      .join('/');
    return `${this.baseUrl}/catalog/${path}/parity${
      section ? `#${section}` : ''
    }`;
  }
}

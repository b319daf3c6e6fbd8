import { renderTemplate } from './template';

describe('renderTemplate', () => {
  it('renders placeholders by path, empty without a value, and interprets nothing else', () => {
    expect(
      renderTemplate('{{ user.name }}-{{env}}/{{ user.missing }}{{ x.y.z }}', {
        user: { name: 'alice' },
        env: 'staging',
        x: null,
      }),
    ).toBe('alice-staging/');
    expect(
      renderTemplate('${user.name} {{ constructor.name }} {{ user.name ', {
        user: { name: 'alice' },
      }),
    ).toBe('${user.name}  {{ user.name ');
  });
});

export * from './FakeGithub';

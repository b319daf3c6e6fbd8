export * from './FakeGithub';
export * from './writes';

export * from './FakeGitlab';

export { ReproduceCard } from './ReproduceCard';
export { reproduceCommands, scaffolderTemplateLink } from './commands';

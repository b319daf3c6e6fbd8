export { GroupParityCard } from './GroupParityCard';

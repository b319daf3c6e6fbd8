export { GroupParityCard } from './GroupParityCard';
export type { GroupParityCardProps } from './GroupParityCard';

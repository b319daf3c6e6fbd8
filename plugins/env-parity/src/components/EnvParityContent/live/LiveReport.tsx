import Typography from '@material-ui/core/Typography';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { useEffect, useState } from 'react';
import { useLiveReport } from './useLiveReport';

/** How long an update is "just now". */
const JUST_NOW_MS = 60_000;

/**
 * Keeps the Parity tab's report current without a click (see
 * {@link useLiveReport}) and says "Updated just now" for a minute after the
 * report changed that way, politely announced to screen readers.
 */
export function LiveReport(props: {
  entityRef: string;
  onReport: (report: ParityReport) => void;
}) {
  const { updatedAt } = useLiveReport(props.entityRef, props.onReport);
  const [fresh, setFresh] = useState(false);
  useEffect(() => {
    if (updatedAt === undefined) {
      return undefined;
    }
    setFresh(true);
    const id = setTimeout(() => setFresh(false), JUST_NOW_MS);
    return () => clearTimeout(id);
  }, [updatedAt]);
  return (
    <Typography
      variant="caption"
      color="textSecondary"
      role="status"
      aria-live="polite"
      data-testid="env-parity-live-updated"
    >
      {fresh ? 'Updated just now' : ''}
    </Typography>
  );
}

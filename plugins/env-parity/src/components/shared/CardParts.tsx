import { ReactNode, useEffect, useRef, useState } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { errorMessage } from './errors';

/* Parts of the cards on the Parity tab that offer an action. */

/** What an action on a card led to. */
export type CardNotice = {
  severity: 'success' | 'warning' | 'error';
  text: string;
};

/**
 * The notice of a card, which takes the focus when it shows: the dialog
 * that was open, or the button that opened it, may be gone, which would
 * drop the focus to the page.
 */
export function useCardNotice() {
  const [notice, setNotice] = useState<CardNotice>();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) {
      ref.current?.focus();
    }
  }, [notice]);
  const element = notice ? (
    <Box mb={2}>
      <Alert
        ref={ref}
        tabIndex={-1}
        severity={notice.severity}
        onClose={() => setNotice(undefined)}
      >
        {notice.text}
      </Alert>
    </Box>
  ) : null;
  return { notice, setNotice, element };
}

/** That a card could not load `what` (e.g. `your access requests`). */
export function LoadError(props: { what: string; error?: Error }) {
  const { what, error } = props;
  return error ? (
    <Box mb={2}>
      <Alert severity="error">
        Could not load {what}: {errorMessage(error)}
      </Alert>
    </Box>
  ) : null;
}

/** What a card offers to do (`children`), and the button that does it. */
export function CardOffer(props: { children: ReactNode; button: ReactNode }) {
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={16}>
      <Typography variant="body2" style={{ flex: '1 1 320px' }}>
        {props.children}
      </Typography>
      {props.button}
    </Box>
  );
}

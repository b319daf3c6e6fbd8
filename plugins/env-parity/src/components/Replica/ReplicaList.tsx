import { useState } from 'react';
import Button from '@material-ui/core/Button';
import { makeStyles } from '@material-ui/core/styles';
import { Replica } from '@env-parity/plugin-env-parity-common';
import { ReplicaItem } from './ReplicaItem';
import { ENDED_SHOWN, extendOptions, replicasToList } from './format';

const useStyles = makeStyles({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
});

/**
 * The user's replicas of the service: every active or failed one, then the
 * few most recently ended (`expired`, `deleted`), with a button that shows
 * the other ended ones.
 */
export function ReplicaList(props: {
  replicas: Replica[];
  /** The signed-in user's entity ref, when known. */
  me?: string;
  now: number;
  titleOf: (environment: string) => string;
  maxLifetimeMinutes: number;
  onExtend: (replica: Replica) => void;
  onDelete: (replica: Replica) => void;
}) {
  const classes = useStyles();
  const { replicas, me, now, titleOf, maxLifetimeMinutes } = props;
  const [allEnded, setAllEnded] = useState(false);
  const { shown, ended, hiddenEnded } = replicasToList(replicas, {
    all: allEnded,
  });
  const id = 'replica-list';
  // the button stays while every ended one shows, to show fewer again
  const collapsible = ended > ENDED_SHOWN;
  return (
    <>
      <ul className={classes.list} aria-label="Your replicas" id={id}>
        {shown.map(r => (
          <ReplicaItem
            key={r.id}
            replica={r}
            me={me}
            now={now}
            titleOf={titleOf}
            canExtend={extendOptions(r, maxLifetimeMinutes, now).length > 0}
            onExtend={props.onExtend}
            onDelete={props.onDelete}
          />
        ))}
      </ul>
      {collapsible && (
        <Button
          size="small"
          color="primary"
          onClick={() => setAllEnded(a => !a)}
          aria-expanded={allEnded}
          aria-controls={id}
        >
          {allEnded ? 'Show fewer ended' : `Show ${hiddenEnded} more ended`}
        </Button>
      )}
    </>
  );
}

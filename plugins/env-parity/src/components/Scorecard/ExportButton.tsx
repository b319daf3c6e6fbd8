import { useApi, alertApiRef } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import GetAppIcon from '@material-ui/icons/GetApp';
import { ScorecardQuery } from '@env-parity/plugin-env-parity-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { envParityApiRef } from '../../api';

/** The name the CSV export is saved under. */
export const EXPORT_FILENAME = 'env-parity-scorecard.csv';

/** Saves a blob as a file through a temporary link. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // let the browser start the download before the URL goes
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/**
 * Downloads every row matching the filters, in the table's order, as CSV.
 * The request carries the user's token, so it is fetched and then saved.
 */
export function ExportButton(props: {
  query: ScorecardQuery;
  disabled?: boolean;
}) {
  const api = useApi(envParityApiRef);
  const alertApi = useApi(alertApiRef);
  const [{ loading }, run] = useAsyncFn(async () => {
    const { page, pageSize, ...query } = props.query;
    try {
      const blob = await api.exportScorecardCsv(query);
      saveBlob(blob, EXPORT_FILENAME);
    } catch (error) {
      alertApi.post({
        message: `Could not export the scorecard: ${
          (error as any)?.body?.error?.message ?? (error as Error).message
        }`,
        severity: 'error',
      });
    }
  }, [api, alertApi, props.query]);

  return (
    <Button
      variant="outlined"
      color="primary"
      size="small"
      onClick={run}
      disabled={loading || props.disabled}
      startIcon={loading ? <CircularProgress size={16} /> : <GetAppIcon />}
    >
      {loading ? 'Exporting…' : 'Export CSV'}
    </Button>
  );
}

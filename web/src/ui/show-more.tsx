import { Button } from './button';
import type { PagedList } from './use-paged-list';

/** The button under a paged list that appends the next page; nothing once the server has no more. */
export function ShowMore({
  list,
}: {
  list: Pick<PagedList<unknown>, 'hasMore' | 'loadingMore' | 'loadMore'>;
}) {
  if (!list.hasMore) return null;
  return (
    <div className="pager">
      <Button variant="secondary" busy={list.loadingMore} onClick={list.loadMore}>
        Show more
      </Button>
    </div>
  );
}

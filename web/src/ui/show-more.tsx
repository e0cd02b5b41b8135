import { Button } from './button';
import type { PagedList } from './use-paged-list';

/** The button under a paged list that appends the next page; nothing once the server has no more. */
export function ShowMore({
  list,
  label = 'Show more',
}: {
  list: Pick<PagedList<unknown>, 'hasMore' | 'loadingMore' | 'loadMore'>;
  /** What the next page holds, where "more" would say too little ("Show older orders"). */
  label?: string;
}) {
  if (!list.hasMore) return null;
  return (
    <div className="pager">
      <Button variant="secondary" busy={list.loadingMore} onClick={list.loadMore}>
        {label}
      </Button>
    </div>
  );
}

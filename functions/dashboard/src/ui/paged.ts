// A paged list (`{items, cursor}`): the first page loads with the view, "load more" appends the next.
import { useState } from 'preact/hooks';
import type { Page } from '../api/types';
import { useLoad } from './context';

export function usePaged<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, deps: unknown[]) {
  const first = useLoad(() => fetchPage(), deps);
  const [more, setMore] = useState<{ forKey: unknown; items: T[]; cursor?: string; error?: unknown; loading: boolean }>({ forKey: null, items: [], loading: false });
  const firstPage = first.data;
  const current = more.forKey === firstPage ? more : { forKey: firstPage, items: [] as T[], cursor: firstPage?.cursor, loading: false };
  const items = firstPage ? [...firstPage.items, ...current.items] : undefined;
  const cursor = current.items.length ? current.cursor : firstPage?.cursor;

  async function loadMore() {
    if (!cursor || current.loading) return;
    setMore({ ...current, loading: true });
    try {
      const page = await fetchPage(cursor);
      setMore({ forKey: firstPage, items: [...current.items, ...page.items], ...(page.cursor ? { cursor: page.cursor } : {}), loading: false });
    } catch (error) {
      setMore({ ...current, error, loading: false });
    }
  }

  return { first, items, hasMore: !!cursor, loadMore, loadingMore: current.loading, moreError: current.error };
}

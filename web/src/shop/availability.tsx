/** Stock in words: exact counts only when they are low enough to matter. */
export function Availability({ available }: { available: number }) {
  if (available <= 0) return <span className="availability availability--out">Out of stock</span>;
  if (available <= 5) return <span className="availability availability--low">Only {available} left</span>;
  return <span className="availability availability--in">In stock</span>;
}

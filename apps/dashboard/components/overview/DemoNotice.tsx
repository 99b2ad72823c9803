import Link from "next/link";
import { Notice } from "@/components/ui/Notice";
import { filtersToParams, withParams, type Filters } from "@/lib/filters";
import { formatInteger } from "@/lib/format";

/**
 * Says when the synthetic rows of `npm run seed -- --demo` are part of the figures (the drill-down marks them row by
 * row; the overview only sums), with a link that hides them (`?demo=hide`, a filter in the URL) or shows them again.
 */
export function DemoNotice({
  filters,
  demoFaces,
  path,
}: {
  filters: Filters;
  demoFaces: number;
  path: string;
}) {
  if (demoFaces === 0) return null;
  const toggled = withParams(
    path,
    filtersToParams({ ...filters, demo: filters.demo === "hide" ? "show" : "hide" }),
  );
  return filters.demo === "hide" ? (
    <Notice tone="info" testId="demo-notice">
      Demo data hidden: {formatInteger(demoFaces)} synthetic faces of this period are left out.{" "}
      <Link href={toggled}>Show demo data</Link>
    </Notice>
  ) : (
    <Notice tone="info" testId="demo-notice">
      This view includes {formatInteger(demoFaces)} demo faces: synthetic data from{" "}
      <code>npm run seed -- --demo</code>, not real customers. <Link href={toggled}>Hide demo data</Link>
    </Notice>
  );
}

// axe-core for the end-to-end tests: WCAG 2.1 A and AA, evaluated through the DevTools
// protocol, which the page's CSP does not govern.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * Runs axe in `scope` (a Playwright page or frame; axe is loaded into it the first time) and
 * returns the violations, one line each. `iframes: false` leaves frames of other origins out.
 */
export async function axeViolations(scope, { iframes = true } = {}) {
  if (!(await scope.evaluate(() => typeof window.axe === "object"))) await scope.evaluate(AXE_SOURCE);
  const found = await scope.evaluate(
    async ({ tags, iframes }) => {
      const results = await window.axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
        iframes,
      });
      return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(" ")),
      }));
    },
    { tags: WCAG, iframes },
  );
  return found.map(({ id, impact, help, targets }) => `${id} (${impact}): ${help} — at ${targets.join(", ")}`);
}

/** Waits two frames, so the layout has settled after a change of viewport. */
export function settled(scope) {
  return scope.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

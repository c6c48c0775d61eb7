import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, skipWithoutChromium } from '../support/chromium';
import { ROOT } from '../support/fixtures';
import { startNodeRed, type RunningNodeRed } from '../support/node-red';
import { tempDir } from '../support/tmp';

/**
 * Every file in examples/, imported as a newcomer imports it: through the editor's Import dialog
 * into a fresh Node-RED with this package (the tracker flow first: the others use its store and its
 * notify link). After each: no node the editor finds invalid, a deploy without "Confirm deploy", and
 * a readable layout (no two nodes' boxes overlap, nor two groups, as the editor draws them).
 */

const dir = tempDir('mst-browser-examples-');
const files = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => Number(b === 'media-status-tracker.json') - Number(a === 'media-status-tracker.json') || a.localeCompare(b));

type Box = { id: string; label: string; x: number; y: number; w: number; h: number };

/** Pairs of boxes that overlap (boxes given by their top-left corner). */
function overlaps(boxes: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) found.push(`"${a.label}" and "${b.label}"`);
    }
  }
  return found;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the editor's RED, as the page has it
type EditorRED = any;

describe('in a real browser: the examples import clean', () => {
  let red: RunningNodeRed;
  let browser: Browser;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    const userDir = join(dir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, 'flows.json'), '[]');
    red = await startNodeRed(userDir, { STATUS_DB: join(dir, 'examples.db') }, { readyPath: '/' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${red.url}/`);
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 30000 });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
  });

  /** Paste a flow into the Import dialog and press Import. */
  async function importThroughDialog(text: string): Promise<void> {
    await page.evaluate(() => (window as unknown as { RED: EditorRED }).RED.actions.invoke('core:show-import-dialog'));
    const area = page.locator('#red-ui-clipboard-dialog-import-text');
    await area.waitFor();
    await area.fill(text);
    await area.press('End');
    await page.locator('#red-ui-clipboard-dialog-ok:not(.disabled)').click();
    await area.waitFor({ state: 'hidden' });
  }

  /** Press Deploy: what the editor said (its notification), and whether it asked to confirm. */
  async function deploy(): Promise<{ confirm: boolean; text: string }> {
    await page.click('#red-ui-header-button-deploy');
    const notice = page
      .locator('.red-ui-notification')
      .filter({ hasText: /Successfully deployed|Confirm deploy|could not|error/i })
      .last();
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    return { confirm: /Confirm deploy/i.test(text), text };
  }

  for (const file of files) {
    it(`${file}: no invalid node, a deploy without "Confirm deploy", nothing overlaps`, async () => {
      const flow = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as { id: string; type: string }[];
      const tab = flow.find((n) => n.type === 'tab')!;
      await importThroughDialog(JSON.stringify(flow));
      await page.waitForFunction((id) => !!(window as unknown as { RED: EditorRED }).RED.nodes.workspace(id), tab.id);

      const invalid = await page.evaluate(() => {
        const RED = (window as unknown as { RED: EditorRED }).RED;
        const bad: string[] = [];
        const check = (n: EditorRED) => {
          if (n.valid === false) bad.push(`${n.type} ${n.id} ${JSON.stringify(n.validationErrors ?? [])}`);
        };
        RED.nodes.eachNode(check);
        RED.nodes.eachConfig(check);
        return bad;
      });
      assert.deepEqual(invalid, [], 'nodes the editor finds invalid');

      // The boxes as the editor draws them: the tab must be shown for its nodes to have a size.
      const { nodes, groups } = await page.evaluate(async (id) => {
        const RED = (window as unknown as { RED: EditorRED }).RED;
        RED.workspaces.show(id);
        // Drawn on the next frames: wait until every node of the tab has its size.
        while (!RED.nodes.filterNodes({ z: id }).every((n: EditorRED) => n.w > 0)) await new Promise((resolve) => requestAnimationFrame(resolve));
        const label = (n: EditorRED) => RED.utils.getNodeLabel(n, n.type);
        const box = (n: EditorRED, centred: boolean) => ({
          id: n.id,
          label: label(n),
          x: centred ? n.x - n.w / 2 : n.x,
          y: centred ? n.y - n.h / 2 : n.y,
          w: n.w,
          h: n.h,
        });
        return {
          nodes: RED.nodes.filterNodes({ z: id }).map((n: EditorRED) => box(n, true)),
          groups: RED.nodes.groups(id).map((g: EditorRED) => box(g, false)),
        };
      }, tab.id);
      assert.ok(
        (nodes as Box[]).every((b) => b.w > 0 && b.h > 0),
        'every node was drawn',
      );
      assert.deepEqual(overlaps(nodes as Box[]), [], 'nodes that overlap');
      assert.deepEqual(overlaps(groups as Box[]), [], 'groups that overlap');

      const deployed = await deploy();
      assert.equal(deployed.confirm, false, deployed.text);
      assert.match(deployed.text, /Successfully deployed/);
    });
  }
});

import type { LineageNode } from '@relayboard/contracts';
import { LINEAGE_NODE_WIDTH, layoutLineage } from './lineage-layout';

const node = (id: string, role: LineageNode['role']): LineageNode => ({
  id,
  name: id,
  kind: role === 'source' ? 'source' : 'model',
  role,
  dataset: 'people',
  relation: null,
  materialized: null,
  path: null,
  checkId: null,
  status: null,
});

describe('layoutLineage', () => {
  it('places each input left of what reads it and drops edges to unknown nodes', () => {
    const sut = layoutLineage(
      [node('src', 'source'), node('stg', 'staging'), node('tbl', 'table')],
      [
        { from: 'src', to: 'stg' },
        { from: 'stg', to: 'tbl' },
        { from: 'stg', to: 'elsewhere' },
      ],
    );
    const x = Object.fromEntries(sut.nodes.map((placed) => [placed.node.id, placed.x]));
    expect(x.src + LINEAGE_NODE_WIDTH).toBeLessThan(x.stg);
    expect(x.stg + LINEAGE_NODE_WIDTH).toBeLessThan(x.tbl);
    expect(sut.edges).toEqual([
      { from: 'src', to: 'stg' },
      { from: 'stg', to: 'tbl' },
    ]);
  });
});

import type { PreviewAsset } from "../api";

/** The preview's assets: key, group, kinds, deps and description. */
export function AssetTable({ assets }: { assets: PreviewAsset[] }) {
  if (!assets.length) return <p>No assets.</p>;
  return (
    <table className="asset-table">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Group</th>
          <th scope="col">Kinds</th>
          <th scope="col">Deps</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {assets.map((asset) => (
          <tr key={asset.key}>
            <td>
              <code>{asset.key}</code>
              {asset.checks.length > 0 && <div className="checks">checks: {asset.checks.join(", ")}</div>}
            </td>
            <td>{asset.group ?? ""}</td>
            <td>{asset.kinds.join(", ")}</td>
            <td>{asset.deps.join(", ")}</td>
            <td>{asset.description ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

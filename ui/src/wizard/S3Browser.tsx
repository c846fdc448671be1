// Browsing S3 for a location: the buckets, then one folder level at a time; where listing is not allowed
// the message says so and the location is typed instead.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { S3Listing } from "../backend";

export interface S3BrowserProps {
  start: string;
  onChoose: (location: string) => void;
  onClose: () => void;
}

/** Bytes as "12.3 MB". */
export function size(bytes: number | null): string {
  if (bytes === null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function S3Browser({ start, onChoose, onClose }: S3BrowserProps) {
  const [location, setLocation] = useState(start);
  const [listing, setListing] = useState<S3Listing | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    setError(null);
    backend
      .browseS3(location)
      .then((l) => alive && setListing(l))
      .catch((e) => alive && (setListing(null), setError(backend.errorText(e))));
    return () => {
      alive = false;
    };
  }, [location]);

  return (
    <div className="s3-browser" role="dialog" aria-label="Browse S3">
      <div className="actions">
        <strong className="grow">{listing?.location || "Buckets"}</strong>
        {listing?.parent !== null && listing?.parent !== undefined && (
          <button className="secondary" onClick={() => setLocation(listing.parent ?? "")}>Up</button>
        )}
        {listing?.location && <button id="s3-use" onClick={() => onChoose(listing.location)}>Use this folder</button>}
        <button className="link" onClick={onClose} aria-label="Close the browser">✕</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {listing && (
        <ul className="s3-entries">
          {listing.entries.length === 0 && <li className="muted">(empty)</li>}
          {listing.entries.map((e) => (
            <li key={e.uri}>
              {e.folder ? (
                <button className="link" onClick={() => setLocation(e.uri)}>📁 {e.name}</button>
              ) : (
                <span className="muted">{e.name} {size(e.size)}</span>
              )}
            </li>
          ))}
          {listing.truncated && <li className="muted">… more; type a longer prefix to narrow it</li>}
        </ul>
      )}
    </div>
  );
}

"""The owner's cache monitor: snapshots, the alert check and notifications.

- ``snapshots``: hourly ``CacheMetricSnapshot`` rows (cumulative counters and
  per-interval deltas), the newest ``SNAPSHOT_RETENTION`` kept, history and CSV.
- ``alerts``: the 5-minute health check against the owner's thresholds
  (``CacheAlertSettings``), raising and recovering ``CacheAlertEvent`` rows.
- ``notifications``: ``OwnerNotification`` rows (the owner's bell), delivered
  by email and webhook with retries.
- ``jobs``: the two scheduled jobs (registered by ``piano_emotion.jobs``).

Nothing is imported here, so that the job registry can import ``jobs``
while it is itself being imported.
"""

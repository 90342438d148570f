"""hostup_sim: a local simulator of the Hostup VPS ISO API (openapi.yaml), for tests and demos.

    from hostup_sim.server import SimServer      # threaded loopback server
    from hostup_sim.store import HostupStore     # one simulator: its backend, settings, log
    from hostup_sim.admin import SimAdmin        # drive a running sim from another process
    from hostup_sim import world                 # fixed ids and keys of the demo world

State apart from the request pipeline, as moto keeps its backends:

    world.py        the data model (accounts, keys, VPSes, ISOs, jobs) and the demo world
    backend.py      HostupBackend: that state, one method per operationId and drift kind
    jobs.py, listing_lag.py   what the backend moves along the clock
    persistence.py  the state file, written atomically after each change
    problems.py     one exception class per error code
    settings.py, faults.py    pydantic models of the behaviour switches and fault knobs
    auth.py, ratelimit.py, requestlog.py    keys and scopes, token buckets, the log
    wire.py         request bodies in, JSON out (RFC 7807 problems included)
    store.py        HostupStore: the parts composed
    app.py          the request pipeline and the API routes (Flask); responses.py;
                    admin_routes.py, the /_sim admin path; drift.py, the drift kinds
    server.py       SimServer (keep-alive connections); admin.py SimAdmin; __main__.py CLI

Command line: `hostup-sim serve|seed|drift|log|faults|settings|reset` (see __main__.py).
The package imports nothing from pulumi_hostup: its wire code is written apart from
the client's models, and both are checked against openapi.yaml.

Assumed behaviours (not in the public reference; change them here and in the code):
- Mount body `{isoId, device}`: device defaults to ide2; answers 200 `{device, isoId}`,
  or a 202 operation when Settings.mount_response is "async" (mounted when the job ends).
- Mounting the ISO a device already holds answers 200 and changes nothing.
- Mounting onto a device holding another ISO replaces it (mount_over_media "replace",
  default) or answers 409 `media_present` (mount_over_media "conflict").
- ISO not in available[] -> 400 invalid_request, errors[] pointer /isoId code not_available.
- Device the VPS has no CD/DVD slot for -> 400, pointer /device code device_unavailable;
  the cloud-init device -> 400, pointer /device code cloud_init_drive (mount and unmount).
- Unmounting an empty CD/DVD slot answers 200 `{device}`.
- A closed gate answers 409 with the gate's code: canMount for mount and attach-empty
  (pending-1: pending_order), canUpload for from-url.
- vps_not_ready (409) is answered by the VM-changing actions only (mount, unmount,
  attach-empty), never by listings: slow-1 answers it to its first Settings.slow_requests
  such requests after a reset (or for Settings.slow_seconds). The contract declares
  no 409 for unmount; the sim sends it anyway, as the real API may.
- The cloud-init drive is listed in mounted[] as {device: ide0, isoId: null, mounted: true,
  isCloudInit: true}; it is not in availableDevices[].
- bootOrder is {"order": [...]} or null; mounting device D puts D first, unmounting removes it.
- Attach-empty: body {device?}; without a device takes the first free of ide2, ide3, ide1,
  ide0; a slot that already exists and is empty answers 200 (idempotent); a slot holding
  media or the cloud-init drive -> 409 device_in_use; no free device -> 409 no_free_device.
- The listing shows writes at once by default. With Settings.listing_lag_seconds or
  listing_lag_reads, it shows a VPS's drives as they were before a mount, unmount or
  attach-empty until that many seconds or listings of the VPS have passed (listing_lag.py).
- The ISO library belongs to the account: every VPS of the account lists it in available[].
- From-url: url must be http(s) with a host (pointer /url, invalid_url); filename a plain
  name ending .iso, no path (pointer /filename, invalid_filename); decompress in its enum.
  The same filename already in the library -> 200 completed, pollUrl null, result {isoId,
  name}; a download of that filename still running -> 202 with the same job. A URL
  containing "fail" ends failed. Jobs run queued (first 20% of Settings.job_seconds),
  in_progress, then completed; the new ISO's displayName is the filename without .iso.
- Job polling (legacy envelope): any key of the owning account, no scope needed; another
  account's job -> 404 not_found. data.state is waiting|active|completed|failed.
- Delete ISO -> 204; not in the library -> 404 not_found; mounted on any VPS of the
  account -> 409 iso_in_use.
- A missing scope -> 403 forbidden; a VPS of another account or an unknown id -> 404
  vps_not_found, worded alike (existence never revealed). Invalid or missing key -> 401
  unauthorized, worded alike too.
- GET /api/v2/vps lists by id; nextCursor is opaque (base64 of the last id); a bad
  limit or cursor -> 400 invalid_request with pointer /limit or /cursor.
- Rate limiting is per key (token bucket), off by default; keyless requests are never
  limited (they are answered 401 first). While it is on, every answer to a key carries
  X-RateLimit-Limit/-Remaining/-Reset, not only 429s.
- Checks run in this order: route (404 not_found, 405 method_not_allowed), 401, 429, 403,
  malformed JSON (400), VPS (404), fields (400), vps_not_ready (409), gate (409), media (409).
- Malformed JSON -> 400 invalid_request, errors[] pointer "" code malformed_json; a body that
  is not an object -> pointer "" code invalid_type; an empty body counts as {}.
- Query parameter errors point at /limit or /cursor, though pointers are documented for
  bodies only.
- Every /api answer carries X-Request-Id, the same value as a problem's requestId.
- Each error code has one title and one wording (problems.py); the real API's titles vary.
- Injected 5xx problems have code upstream_failed; HTML pages mimic an nginx gateway.
- Connections are kept alive (HTTP/1.1) until the client closes them or they idle for
  75 s (nginx's default keepalive_timeout).
"""

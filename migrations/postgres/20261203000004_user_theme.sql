-- Each account's colour theme: `system` follows the device's setting,
-- `light` and `dark` override it. Existing accounts follow the device.
ALTER TABLE users ADD COLUMN theme TEXT NOT NULL DEFAULT 'system'
    CHECK (theme IN ('system', 'light', 'dark'));

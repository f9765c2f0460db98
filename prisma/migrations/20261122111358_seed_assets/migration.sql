-- Seed the three assets every environment can hold. Ids are fixed so that every installation
-- agrees on them; ON CONFLICT DO NOTHING keeps the migration safe on a database seeded by hand.
-- The Taproot asset ids and group keys are Boltrail's own sandbox identifiers (sha256 of
-- "boltrail-sandbox:<SYMBOL>:asset_id" / "…:group_key"), not mainnet Tether/Circle assets.
INSERT INTO "assets" ("id", "symbol", "name", "type", "precision", "description", "websiteUrl", "tapAssetId", "groupKey", "universe")
VALUES
  ('2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01', 'BTC', 'Bitcoin', 'BASE_ASSET', 8, 'Bitcoin', 'https://bitcoin.org',
   NULL, NULL, NULL),
  ('7f3b9a51-2c4e-4e8d-9b61-5d0a3c2e1f02', 'USDT', 'Tether USD', 'TAPROOT_ASSET', 6, 'Tether USD (USDT) on Taproot Assets', 'https://tether.to',
   '22efaf804ce7b267cd861b5dbb1d936714904837b22dcdc766f08a59f929b09b',
   '028255a0185f10a4a3a67469d4031a83a177714473ccf02b51894742e7408b1449',
   'universe.boltrail.local'),
  ('b1c4e8f2-6a3d-4f7b-8e25-9c0d1a2b3e03', 'USDC', 'USD Coin', 'TAPROOT_ASSET', 6, 'USD Coin (USDC) on Taproot Assets', 'https://www.circle.com/usdc',
   '0216ff71f65702fd5f93730b53b925621ebb4be39117d7a105c4d8ec440d98bf',
   '02bc9f303ed9cea17e8233d9242d5c614bbedac6018e0049c5ae68b52b776ffe00',
   'universe.boltrail.local')
ON CONFLICT DO NOTHING;

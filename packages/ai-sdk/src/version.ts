// Kept in step with package.json by hand (provider.test.ts holds the two equal), so the user agent
// names the release without bundling package.json.
export const VERSION = '0.0.0';

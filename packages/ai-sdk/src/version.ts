// Kept by hand in step with package.json; a test holds the two equal.
export const VERSION = '0.1.0';

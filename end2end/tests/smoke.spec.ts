import { expect, test } from './fixtures';

// The server is up and its health check answers; every other spec depends on this.
test('GET /healthz answers 200', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
});

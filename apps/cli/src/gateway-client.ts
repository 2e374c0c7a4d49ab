/**
 * Admin calls to the gateway (GATEWAY_URL) for the commands that act on a running platform:
 * MLOPS_API_KEY is sent as X-API-Key, MLOPS_TOKEN (a JWT) as Authorization: Bearer.
 */
import type { CliIo } from './command';

/** The gateway answered with an error status (0: it could not be reached); the message says why. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET without a body, `method` (default POST) with one; resolves with the JSON answer. */
export async function callGateway<T>(io: CliIo, url: string, route: string, body?: unknown, method = 'POST'): Promise<T> {
  const headers: Record<string, string> = {
    ...(io.env.MLOPS_API_KEY ? { 'x-api-key': io.env.MLOPS_API_KEY } : {}),
    ...(io.env.MLOPS_TOKEN ? { authorization: `Bearer ${io.env.MLOPS_TOKEN}` } : {}),
  };
  let response: Response;
  try {
    response = await fetch(url + route, body === undefined ? { headers } : { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new HttpFailure(0, `cannot reach the gateway at ${url} (${(error as Error).cause ?? (error as Error).message}); is the platform running (npm start)?`);
  }
  const answer = (await response.json()) as T & { error?: string; message?: string };
  if (!response.ok) throw new HttpFailure(response.status, `${response.status} ${answer.error}: ${answer.message}`);
  return answer;
}

import { InputError } from '@backstage/errors';
import { HttpBodyParser } from '@backstage/plugin-events-node';

/**
 * The events backend's `application/json` parsing, answering 400 to a body
 * that is not JSON (the built-in parser's error answers 500).
 */
export const strictJsonBodyParser: HttpBodyParser = async (
  request,
  parsedMediaType,
  topic,
) => {
  const bodyBuffer = request.body;
  if (!Buffer.isBuffer(bodyBuffer)) {
    throw new Error(`The body of an event for topic ${topic} was not read`);
  }
  const encoding = parsedMediaType.parameters.charset ?? 'utf-8';
  if (!Buffer.isEncoding(encoding)) {
    throw new InputError(`Unsupported charset ${encoding}`);
  }
  try {
    const bodyParsed = JSON.parse(bodyBuffer.toString(encoding));
    return { bodyParsed, bodyBuffer, encoding };
  } catch {
    throw new InputError(`The body of an event for topic ${topic} is not JSON`);
  }
};

/**
 * Imported first by the local entry points: the AWS SDK warns once per process that its 2027 releases will need
 * Node 22. On the Node 20 this project supports locally that is noise before every banner or start-up error, so
 * this one warning (and only it) is dropped.
 */
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : `${warning.name} ${warning.message}`;
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (text.includes('NodeVersionSupportWarning') || type === 'NodeVersionSupportWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

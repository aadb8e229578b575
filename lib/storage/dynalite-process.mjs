// dynalite in a child process of the local gateway, so its LevelDB work runs beside the gateway's event loop
// rather than on it. Started by local-dynamo.ts; reports its port over IPC and exits with its parent.
import dynalite from 'dynalite';

// The database holds usage rows and key hashes: files 0600, directories 0700 (CONTRACT.md §6).
process.umask(0o077);

const path = process.argv[2];
const port = Number(process.argv[3] ?? 0);
// Ctrl-C reaches the whole process group: the gateway decides when storage stops (after its last row is written),
// and tells this process so over IPC.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (error) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message === 'close') server.close(() => process.exit(0));
});

/**
 * Imported first by the local entry points: the AWS SDK warns once per process that its 2027 releases will need
 * Node 22. On the Node 20 this project supports locally that is noise before every banner or start-up error, so it
 * is turned off with the SDK's own switch (Lambda runs Node 22, where the warning never fires).
 * @see https://github.com/aws/aws-sdk-js-v3 — packages/core/src/submodules/client/emitWarningIfUnsupportedVersion.ts
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

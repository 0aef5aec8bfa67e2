/**
 * Imported first by tests that provoke logged errors on purpose: the root logger reads its level once, when
 * edge/log.ts is first imported, so this must run before any module that logs. An explicit level still wins.
 */
process.env.HUXIAO_LOG_LEVEL ??= 'silent';

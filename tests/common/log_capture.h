/*
 * log_capture.h - captures what the logger writes to stderr, for the tests of common/src/log.c.
 */
#ifndef TESTS_COMMON_LOG_CAPTURE_H
#define TESTS_COMMON_LOG_CAPTURE_H

/* Starts sending stderr to a temporary file (fails the test when it cannot). */
void capture_start(void);
/* Stops capturing; returns what was written, malloc'ed (caller frees). */
char *capture_end(void);

#endif

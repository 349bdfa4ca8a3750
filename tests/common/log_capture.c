/*
 * log_capture.c - stderr captured in a temporary file (log_capture.h).
 */
#include "log_capture.h"

#include "cu.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int saved_fd = -1;
static FILE *cap;

void capture_start(void)
{
    fflush(stderr);
    cap = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
    saved_fd = dup(STDERR_FILENO);
    CU_ASSERT_FATAL(saved_fd >= 0);
    CU_ASSERT_FATAL(dup2(fileno(cap), STDERR_FILENO) >= 0);
}

char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_fd, STDERR_FILENO);
    close(saved_fd);
    long n = ftell(cap);
    char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    rewind(cap);
    if (s != NULL && n > 0 && fread(s, 1, (size_t)n, cap) != (size_t)n)
        s[0] = '\0';
    fclose(cap);
    return s;
}

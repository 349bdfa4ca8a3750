/* nosym.c - a shared object without the entry symbol. */
#include "test_plugin.h"

TP_EXPORT const int not_the_entry_symbol = 42;

#include "beta.h"
#include "base/util.h"

int beta(void)
{
    return (int)base_len("beta");
}

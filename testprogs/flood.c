// flood: writes output forever.
#include <stdio.h>
int main(void) { for (unsigned long i = 0;; i++) printf("flood line %lu ................................................\n", i); }

// spin: an infinite loop with no output.
int main(void) { volatile unsigned x = 0; for (;;) x++; }

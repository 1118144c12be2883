// Compile-time bomb: a 1 GiB initialised array makes a 1 GiB object file. Expected: CE (file cap).
int a[1 << 28] = {1};
int main() { return a[7]; }

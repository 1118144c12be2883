// Compile-time bomb: includes an endless device. Expected: CE (the compiler hits its memory cap).
#include "/dev/urandom"
int main() {}

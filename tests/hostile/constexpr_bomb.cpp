// Compile-time bomb: a constexpr evaluation of ~10^11 steps (each loop under the compiler's
// per-loop limit). Expected: CE once the compile-time limit is reached.
constexpr long long spin() {
    long long s = 0;
    for (long long i = 0; i < 200000; i++)
        for (long long j = 0; j < 200000; j++)
            for (long long k = 0; k < 2; k++) s += i ^ j ^ k;
    return s;
}
constexpr long long value = spin();
int main() { return value & 1; }

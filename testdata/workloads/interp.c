// interp: a small stack-machine bytecode interpreter.
//
// run(n) interprets a fixed bytecode program that counts the primes below n
// by trial division, and returns the count (pi(n)). The program lives in a
// data segment; the interpreter is a switch in a loop (a br_table in Wasm).
#include "workload.h"

enum {
	HALT,  // stop; the result is the top of the stack
	PUSH,  // push the next code word
	LOAD,  // push reg[next]
	STORE, // pop into reg[next]
	ADD,   // pop b, a; push a+b
	MUL,   // pop b, a; push a*b
	MOD,   // pop b, a; push a%b (b != 0 in this program)
	LT,    // pop b, a; push a<b
	JZ,    // pop c; if c == 0 jump to next
	JMP,   // jump to next
};

// Registers: 0 = n, 1 = m (candidate), 2 = d (divisor), 3 = count.
// Jump targets: 19 = divisor loop, 38 = TEST, 54 = NEXT, 63 = END.
static const int32_t prog[] = {
	/*  0 */ PUSH, 2, STORE, 1,                       // m = 2
	/*  4 */ PUSH, 0, STORE, 3,                       // count = 0
	/*  8 */ LOAD, 1, LOAD, 0, LT, JZ, 63,            // while m < n (else END)
	/* 15 */ PUSH, 2, STORE, 2,                       //   d = 2
	/* 19 */ LOAD, 1, LOAD, 2, LOAD, 2, MUL, LT, JZ, 38, //   if !(m < d*d) goto TEST
	/* 29 */ LOAD, 3, PUSH, 1, ADD, STORE, 3, JMP, 54, //   prime: count++, goto NEXT
	/* 38 */ LOAD, 1, LOAD, 2, MOD, JZ, 54,           //   TEST: d divides m: goto NEXT
	/* 45 */ LOAD, 2, PUSH, 1, ADD, STORE, 2, JMP, 19, //   d++, goto 19
	/* 54 */ LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 8,  //   NEXT: m++, goto 8
	/* 63 */ LOAD, 3, HALT,                           // END: return count
};

int32_t run(int32_t n) {
	int32_t reg[4] = {n, 0, 0, 0};
	int32_t stack[16];
	int sp = 0;
	int pc = 0;
	for (;;) {
		int32_t op = prog[pc++];
		int32_t a, b;
		switch (op) {
		case HALT:
			return sp > 0 ? stack[sp - 1] : -1;
		case PUSH:
			stack[sp++] = prog[pc++];
			break;
		case LOAD:
			stack[sp++] = reg[prog[pc++]];
			break;
		case STORE:
			reg[prog[pc++]] = stack[--sp];
			break;
		case ADD:
			b = stack[--sp];
			a = stack[--sp];
			stack[sp++] = a + b;
			break;
		case MUL:
			b = stack[--sp];
			a = stack[--sp];
			stack[sp++] = a * b;
			break;
		case MOD:
			b = stack[--sp];
			a = stack[--sp];
			stack[sp++] = a % b;
			break;
		case LT:
			b = stack[--sp];
			a = stack[--sp];
			stack[sp++] = a < b;
			break;
		case JZ:
			a = stack[--sp];
			if (a == 0) pc = prog[pc];
			else pc++;
			break;
		case JMP:
			pc = prog[pc];
			break;
		default:
			return -2;
		}
	}
}

#ifdef NATIVE
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc != 2) return 2;
	printf("%d\n", run((int32_t)strtol(argv[1], 0, 0)));
	return 0;
}
#endif

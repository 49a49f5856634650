// vm: a call-heavy bytecode interpreter. Every VM instruction is executed
// by its own small function (never inlined), called directly from a switch
// in the dispatch loop, on a VM whose stack, registers and program counter
// live in memory: a call, a few loads and stores and a return per
// instruction.
//
// run(n) interprets a program that sums the lengths of the Collatz
// sequences of 1 .. n-1 (steps until 1) and returns the sum. expected.sh
// checks the native result against the same sum computed in Python.
#include "workload.h"

enum { HALT, PUSH, LOAD, STORE, ADD, MUL, SHR1, ODD, LT, EQ, JZ, JMP };

struct vm {
	int32_t pc, sp;
	const int32_t *code;
	int32_t reg[4];
	int32_t stack[16];
};

#define NOINLINE __attribute__((noinline))

static NOINLINE void push(struct vm *v, int32_t x) { v->stack[v->sp++] = x; }
static NOINLINE int32_t pop(struct vm *v) { return v->stack[--v->sp]; }
static NOINLINE int32_t next(struct vm *v) { return v->code[v->pc++]; }

static NOINLINE void op_push(struct vm *v) { push(v, next(v)); }
static NOINLINE void op_load(struct vm *v) { push(v, v->reg[next(v) & 3]); }
static NOINLINE void op_store(struct vm *v) { v->reg[next(v) & 3] = pop(v); }
static NOINLINE void op_add(struct vm *v) { int32_t b = pop(v); push(v, pop(v) + b); }
static NOINLINE void op_mul(struct vm *v) { int32_t b = pop(v); push(v, pop(v) * b); }
static NOINLINE void op_shr1(struct vm *v) { push(v, (int32_t)((uint32_t)pop(v) >> 1)); }
static NOINLINE void op_odd(struct vm *v) { push(v, pop(v) & 1); }
static NOINLINE void op_lt(struct vm *v) { int32_t b = pop(v); push(v, pop(v) < b); }
static NOINLINE void op_eq(struct vm *v) { int32_t b = pop(v); push(v, pop(v) == b); }
static NOINLINE void op_jz(struct vm *v) { int32_t t = next(v); if (pop(v) == 0) v->pc = t; }
static NOINLINE void op_jmp(struct vm *v) { v->pc = next(v); }

// Registers: 0 = n, 1 = i, 2 = x, 3 = total.
static const int32_t prog[] = {
	/*  0 */ PUSH, 1, STORE, 1,                         // i = 1
	/*  4 */ PUSH, 0, STORE, 3,                         // total = 0
	/*  8 */ LOAD, 1, LOAD, 0, LT, JZ, 68,              // while i < n (else END)
	/* 15 */ LOAD, 1, STORE, 2,                         //   x = i
	/* 19 */ LOAD, 2, PUSH, 1, EQ, JZ, 28, JMP, 59,     //   while x != 1 (else NEXT)
	/* 28 */ LOAD, 3, PUSH, 1, ADD, STORE, 3,           //     total++
	/* 35 */ LOAD, 2, ODD, JZ, 52,                      //     if x is odd:
	/* 40 */ LOAD, 2, PUSH, 3, MUL, PUSH, 1, ADD, STORE, 2, JMP, 19, // x = 3x + 1
	/* 52 */ LOAD, 2, SHR1, STORE, 2, JMP, 19,          //     else x = x / 2
	/* 59 */ LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 8,   //   NEXT: i++
	/* 68 */ LOAD, 3, HALT,                             // END: return total
};

int32_t run(int32_t n) {
	struct vm v;
	v.pc = 0;
	v.sp = 0;
	v.code = prog;
	v.reg[0] = n;
	v.reg[1] = v.reg[2] = v.reg[3] = 0;
	for (;;) {
		switch (next(&v)) {
		case HALT: return v.sp > 0 ? v.stack[v.sp - 1] : -1;
		case PUSH: op_push(&v); break;
		case LOAD: op_load(&v); break;
		case STORE: op_store(&v); break;
		case ADD: op_add(&v); break;
		case MUL: op_mul(&v); break;
		case SHR1: op_shr1(&v); break;
		case ODD: op_odd(&v); break;
		case LT: op_lt(&v); break;
		case EQ: op_eq(&v); break;
		case JZ: op_jz(&v); break;
		case JMP: op_jmp(&v); break;
		default: return -2;
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

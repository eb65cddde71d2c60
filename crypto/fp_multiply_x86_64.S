// Montgomery multiplication modulo the BLS12-381 base field prime p with
// the BMI2 (mulx) and ADX (adcx/adox) instructions: two independent carry
// chains per row, no branches, constant time.
//
//   void pkm_fp_multiply_adx(uint64_t out[6], const uint64_t a[6],
//                            const uint64_t b[6]);
//
// out = a * b / 2^384 mod p, for any a, b below 2^384 with a * b < p 2^384.
// Callers must check that the CPU has BMI2 and ADX before calling.
#if defined(__x86_64__) && defined(__ELF__)

        .intel_syntax noprefix
        .section .rodata
        .p2align 6
.Lmodulus:
        .quad 0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624
        .quad 0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a
.Linverse:
        .quad 0x89f3fffcfffcfffd

        .text

// One row: t += a * b[index], then one reduction step that zeroes t0.
// t0..t6 name the accumulator words; the caller rotates them so that the
// zeroed t0 becomes the next row's t6.
.macro ROW index, t0, t1, t2, t3, t4, t5, t6
        mov     rdx, [rcx + 8 * \index]
        xor     eax, eax
        mulx    r9, r8, [rsi + 0]
        adcx    \t0, r8
        adox    \t1, r9
        mulx    r9, r8, [rsi + 8]
        adcx    \t1, r8
        adox    \t2, r9
        mulx    r9, r8, [rsi + 16]
        adcx    \t2, r8
        adox    \t3, r9
        mulx    r9, r8, [rsi + 24]
        adcx    \t3, r8
        adox    \t4, r9
        mulx    r9, r8, [rsi + 32]
        adcx    \t4, r8
        adox    \t5, r9
        mulx    r9, r8, [rsi + 40]
        adcx    \t5, r8
        adox    \t6, r9
        adcx    \t6, rax

        mov     rdx, \t0
        imul    rdx, [rip + .Linverse]
        xor     eax, eax
        mulx    r9, r8, [rip + .Lmodulus + 0]
        adcx    \t0, r8
        adox    \t1, r9
        mulx    r9, r8, [rip + .Lmodulus + 8]
        adcx    \t1, r8
        adox    \t2, r9
        mulx    r9, r8, [rip + .Lmodulus + 16]
        adcx    \t2, r8
        adox    \t3, r9
        mulx    r9, r8, [rip + .Lmodulus + 24]
        adcx    \t3, r8
        adox    \t4, r9
        mulx    r9, r8, [rip + .Lmodulus + 32]
        adcx    \t4, r8
        adox    \t5, r9
        mulx    r9, r8, [rip + .Lmodulus + 40]
        adcx    \t5, r8
        adox    \t6, r9
        adcx    \t6, rax
.endm

        .globl  pkm_fp_multiply_adx
        .type   pkm_fp_multiply_adx, @function
        .p2align 5
pkm_fp_multiply_adx:
        push    rbx
        push    r12
        push    r13
        push    r14
        push    r15
        mov     rcx, rdx                // b
        xor     r10d, r10d
        xor     r11d, r11d
        xor     r12d, r12d
        xor     r13d, r13d
        xor     r14d, r14d
        xor     r15d, r15d
        xor     ebx, ebx

        ROW 0, r10, r11, r12, r13, r14, r15, rbx
        ROW 1, r11, r12, r13, r14, r15, rbx, r10
        ROW 2, r12, r13, r14, r15, rbx, r10, r11
        ROW 3, r13, r14, r15, rbx, r10, r11, r12
        ROW 4, r14, r15, rbx, r10, r11, r12, r13
        ROW 5, r15, rbx, r10, r11, r12, r13, r14

        // The result (< 2p) is rbx, r10, r11, r12, r13, r14 (low first).
        // Store it, subtract p, and keep the stored value if that borrowed.
        mov     [rdi + 0], rbx
        mov     [rdi + 8], r10
        mov     [rdi + 16], r11
        mov     [rdi + 24], r12
        mov     [rdi + 32], r13
        mov     [rdi + 40], r14
        sub     rbx, [rip + .Lmodulus + 0]
        sbb     r10, [rip + .Lmodulus + 8]
        sbb     r11, [rip + .Lmodulus + 16]
        sbb     r12, [rip + .Lmodulus + 24]
        sbb     r13, [rip + .Lmodulus + 32]
        sbb     r14, [rip + .Lmodulus + 40]
        cmovc   rbx, [rdi + 0]
        cmovc   r10, [rdi + 8]
        cmovc   r11, [rdi + 16]
        cmovc   r12, [rdi + 24]
        cmovc   r13, [rdi + 32]
        cmovc   r14, [rdi + 40]
        mov     [rdi + 0], rbx
        mov     [rdi + 8], r10
        mov     [rdi + 16], r11
        mov     [rdi + 24], r12
        mov     [rdi + 32], r13
        mov     [rdi + 40], r14

        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     rbx
        ret
        .size   pkm_fp_multiply_adx, .-pkm_fp_multiply_adx

#endif

        .section .note.GNU-stack,"",@progbits

namespace Micro.BareMetal.Platform;

/// <summary>Prints a CPU exception: vector and mnemonic, error code, RIP, CR2 and every register.</summary>
internal static unsafe class ExceptionReport
{
    public static void Write(InterruptFrame* f)
    {
        Serial.Write("micro: EXCEPTION vector ");
        Serial.WriteDec(f->Vector);
        Serial.Write(" (");
        Serial.Write(Name(f->Vector));
        Serial.Write(") error ");
        Serial.WriteHex(f->ErrorCode);
        Serial.Write(" rip ");
        Serial.WriteHex(f->Rip);
        Serial.Write(" cr2 ");
        Serial.WriteHex(Cpu.ReadCr2());
        Serial.WriteLine();
        Register("rax", f->Rax); Register("rbx", f->Rbx); Register("rcx", f->Rcx); Register("rdx", f->Rdx);
        Serial.WriteLine();
        Register("rsi", f->Rsi); Register("rdi", f->Rdi); Register("rbp", f->Rbp); Register("rsp", f->Rsp);
        Serial.WriteLine();
        Register("r8", f->R8); Register("r9", f->R9); Register("r10", f->R10); Register("r11", f->R11);
        Serial.WriteLine();
        Register("r12", f->R12); Register("r13", f->R13); Register("r14", f->R14); Register("r15", f->R15);
        Serial.WriteLine();
        Register("cs", f->Cs); Register("rflags", f->Rflags); Register("ss", f->Ss); Register("cr3", Cpu.ReadCr3());
        Serial.WriteLine();
    }

    private static void Register(string name, ulong value)
    {
        Serial.Write("  ");
        Serial.Write(name);
        Serial.Write("=");
        Serial.WriteHex(value);
    }

    private static string Name(ulong vector) => vector switch
    {
        0 => "#DE",
        1 => "#DB",
        2 => "NMI",
        3 => "#BP",
        4 => "#OF",
        5 => "#BR",
        6 => "#UD",
        7 => "#NM",
        8 => "#DF",
        10 => "#TS",
        11 => "#NP",
        12 => "#SS",
        13 => "#GP",
        14 => "#PF",
        16 => "#MF",
        17 => "#AC",
        18 => "#MC",
        19 => "#XM",
        20 => "#VE",
        21 => "#CP",
        30 => "#SX",
        _ => "unknown",
    };
}

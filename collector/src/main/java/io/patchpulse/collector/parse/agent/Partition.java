package io.patchpulse.collector.parse.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.patchpulse.collector.parse.BadField;
import io.patchpulse.collector.parse.JsonFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code Get-Partition} object as Windows PowerShell 5.1 writes it with {@code ConvertTo-Json}: {@code DiskNumber},
 * {@code PartitionNumber}, {@code Type} (a name such as {@code Recovery} / {@code Basic} / {@code System} /
 * {@code Reserved} / {@code IFS}; an integer is kept but not interpreted, the GUID and MBR type decide),
 * {@code GptType} (empty on MBR disks), {@code MbrType} (null on GPT disks), {@code Size}, {@code Offset}, and when
 * the agent selects them {@code DriveLetter} (a one-character string, {@code "\u0000"} for none, or its char code) and
 * {@code IsBoot} (true on the partition Windows runs from).
 *
 * @param path    JSON path of this object, for problems ({@code $.partitions[2]})
 * @param type    the {@code Type} text, or null
 * @param gptType the GPT type GUID in lower case without braces, or null
 */
record Partition(String path, Integer disk, Integer number, String type, String gptType, Integer mbrType, Long size,
                 Long offset, Character driveLetter, Boolean isBoot) {

    /** GPT type of a recovery partition (WinRE tools). */
    static final String GPT_RECOVERY = "de94bba4-06d1-4d40-a16a-bfd50179d6ac";
    /** GPT type of a basic data partition (where Windows is installed). */
    static final String GPT_BASIC_DATA = "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7";
    /** MBR type of a recovery partition. */
    static final int MBR_RECOVERY = 0x27;
    /** MBR type of an NTFS / IFS partition. */
    static final int MBR_NTFS = 0x07;

    /** All partitions of {@code node} (an array, or the single object PowerShell 5.1 writes for one). */
    static List<Partition> readAll(JsonNode node, String path) {
        List<Partition> partitions = new ArrayList<>();
        List<JsonNode> items = JsonFields.list(node);
        for (int i = 0; i < items.size(); i++) {
            partitions.add(read(items.get(i), node.isArray() ? path + "[" + i + "]" : path));
        }
        return partitions;
    }

    /** One partition object at {@code path}. */
    static Partition read(JsonNode node, String path) {
        JsonFields.object(node, path);
        Long size = JsonFields.integer(JsonFields.child(node, "Size"), path + ".Size");
        Long offset = JsonFields.integer(JsonFields.child(node, "Offset"), path + ".Offset");
        if (size != null && size < 0) {
            throw new BadField(path + ".Size", "must not be negative, got " + size);
        }
        if (offset != null && offset < 0) {
            throw new BadField(path + ".Offset", "must not be negative, got " + offset);
        }
        String gpt = JsonFields.text(JsonFields.child(node, "GptType"), path + ".GptType");
        if (gpt != null) {
            gpt = gpt.isBlank() ? null : gpt.strip().replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
        }
        String type = JsonFields.text(JsonFields.child(node, "Type"), path + ".Type");
        return new Partition(path,
                JsonFields.int32(JsonFields.child(node, "DiskNumber"), path + ".DiskNumber"),
                JsonFields.int32(JsonFields.child(node, "PartitionNumber"), path + ".PartitionNumber"),
                type == null || type.isBlank() ? null : type.strip(),
                gpt,
                JsonFields.int32(JsonFields.child(node, "MbrType"), path + ".MbrType"),
                size,
                offset,
                driveLetter(JsonFields.child(node, "DriveLetter"), path + ".DriveLetter"),
                JsonFields.bool(JsonFields.child(node, "IsBoot"), path + ".IsBoot"));
    }

    /** A recovery partition by GPT type, MBR type 0x27, or {@code Type: Recovery}. */
    boolean isRecovery() {
        return GPT_RECOVERY.equals(gptType) || (mbrType != null && mbrType == MBR_RECOVERY)
                || "recovery".equalsIgnoreCase(type);
    }

    /** A partition Windows could be installed on: GPT basic data, MBR NTFS, or {@code Type: Basic} / {@code IFS}. */
    boolean isBasicData() {
        return GPT_BASIC_DATA.equals(gptType) || (mbrType != null && mbrType == MBR_NTFS)
                || "basic".equalsIgnoreCase(type) || "ifs".equalsIgnoreCase(type);
    }

    /** True when this is disk {@code disk}, partition {@code number}. */
    boolean is(int disk, int number) {
        return this.disk != null && this.number != null && this.disk == disk && this.number == number;
    }

    private static Character driveLetter(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (node.isIntegralNumber()) {
            Integer code = JsonFields.int32(node, path);
            return code >= 'A' && code <= 'Z' || code >= 'a' && code <= 'z'
                    ? Character.toUpperCase((char) code.intValue()) : null;
        }
        String text = JsonFields.text(node, path);
        if (text == null || text.isEmpty() || text.charAt(0) == '\u0000' || !Character.isLetter(text.charAt(0))) {
            return null; // PowerShell writes a partition without a letter as "\u0000"
        }
        return Character.toUpperCase(text.charAt(0));
    }
}

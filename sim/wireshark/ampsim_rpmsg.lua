-- Wireshark dissector for ampsim's RPMsg captures (`ampsim run --capture FILE.pcapng`).
-- Decodes the ampsim pseudo-header, the RPMsg header, name-service messages (address 53),
-- the rpmsg-sdb text protocol ("rpmsg-sdb-channel") and the bench sample's block header
-- ("rpmsg-netlink"). docs/capture.md describes the format and how to load this file:
--   wireshark -X lua_script:ampsim_rpmsg.lua FILE.pcapng
--   tshark -X lua_script:ampsim_rpmsg.lua -r FILE.pcapng -T fields -e rpmsg.src ...
-- Every length comes from the capture and is checked against the bytes present.

local NS_ADDR = 53
local PHDR_SIZE = 36
local HDR_SIZE = 16

local p_ampsim = Proto("ampsim", "ampsim capture pseudo-header")
local p_rpmsg = Proto("rpmsg", "RPMsg")
local p_ns = Proto("rpmsg_ns", "RPMsg name service")
local p_sdb = Proto("rpmsg_sdb", "rpmsg-sdb")
local p_bench = Proto("ampsim_bench", "ampsim bench sample")

local dirs = {[0] = "Linux -> firmware", [1] = "firmware -> Linux"}
local f = {
	version = ProtoField.uint8("ampsim.version", "Version"),
	dir = ProtoField.uint8("ampsim.dir", "Direction", base.DEC, dirs),
	hlen = ProtoField.uint16("ampsim.hdr_len", "Pseudo-header length"),
	name = ProtoField.string("ampsim.name", "Endpoint name"),
	src = ProtoField.uint32("rpmsg.src", "Source address", base.DEC_HEX),
	dst = ProtoField.uint32("rpmsg.dst", "Destination address", base.DEC_HEX),
	reserved = ProtoField.uint32("rpmsg.reserved", "Reserved", base.HEX),
	len = ProtoField.uint16("rpmsg.len", "Payload length"),
	flags = ProtoField.uint16("rpmsg.flags", "Flags", base.HEX),
	payload = ProtoField.bytes("rpmsg.payload", "Payload"),
	text = ProtoField.string("rpmsg.text", "Payload as text"),
	ns_name = ProtoField.string("rpmsg_ns.name", "Service name"),
	ns_addr = ProtoField.uint32("rpmsg_ns.addr", "Address", base.DEC_HEX),
	ns_flags = ProtoField.uint32("rpmsg_ns.flags", "Flags", base.DEC,
		{[0] = "create", [1] = "destroy"}),
	sdb_kind = ProtoField.string("rpmsg_sdb.kind", "Message"),
	sdb_idx = ProtoField.uint32("rpmsg_sdb.idx", "Buffer index"),
	sdb_da = ProtoField.uint32("rpmsg_sdb.da", "Device address", base.HEX),
	sdb_len = ProtoField.uint32("rpmsg_sdb.len", "Length", base.DEC_HEX),
	sdb_crc = ProtoField.uint32("rpmsg_sdb.crc", "CRC-32", base.HEX),
	sdb_cmd = ProtoField.string("rpmsg_sdb.command", "Firmware command"),
	b_form = ProtoField.string("ampsim_bench.form", "Header form"),
	b_magic = ProtoField.uint32("ampsim_bench.magic", "Magic", base.HEX),
	b_pre = ProtoField.uint16("ampsim_bench.preamble", "Preamble", base.HEX),
	b_length = ProtoField.uint32("ampsim_bench.length", "Announced length"),
	b_crc = ProtoField.uint16("ampsim_bench.crc16", "CRC-16 (not checked)", base.HEX),
	b_reply = ProtoField.uint16("ampsim_bench.reply", "Bytes received (reply)"),
}
p_ampsim.fields = {f.version, f.dir, f.hlen, f.name}
p_rpmsg.fields = {f.src, f.dst, f.reserved, f.len, f.flags, f.payload, f.text}
p_ns.fields = {f.ns_name, f.ns_addr, f.ns_flags}
p_sdb.fields = {f.sdb_kind, f.sdb_idx, f.sdb_da, f.sdb_len, f.sdb_crc, f.sdb_cmd}
p_bench.fields = {f.b_form, f.b_magic, f.b_pre, f.b_length, f.b_crc, f.b_reply}

local function printable(s)
	return s:match("^[\32-\126]*$") ~= nil
end

-- A NUL-padded name: the bytes up to the first NUL.
local function cstring(tvb)
	local s = tvb:raw()
	local z = s:find("\0", 1, true)
	return z and s:sub(1, z - 1) or s
end

local function dissect_ns(tvb, pinfo, tree)
	if tvb:len() ~= 40 then
		tree:add_expert_info(PI_MALFORMED, PI_ERROR, "name-service message is not 40 bytes")
		return
	end
	local t = tree:add(p_ns, tvb)
	local name = cstring(tvb(0, 32))
	t:add(f.ns_name, tvb(0, 32), name)
	t:add_le(f.ns_addr, tvb(32, 4))
	t:add_le(f.ns_flags, tvb(36, 4))
	local what = (tvb(36, 4):le_uint() % 2 == 1) and "destroy" or "create"
	pinfo.cols.protocol = "RPMsg-NS"
	pinfo.cols.info = string.format("NS %s \"%s\" at 0x%x", what, name, tvb(32, 4):le_uint())
end

-- The rpmsg-sdb grammar (vring/include/amp/sdb_proto.h); @to_fw picks the direction's set.
local sdb_forms = {
	to_fw = {
		{"^B(%d+)A(%x%x%x%x%x%x%x%x)L(%x%x%x%x%x%x%x%x)$", "announce (firmware fills)", {"idx", "da", "len"}},
		{"^T(%d+)A(%x%x%x%x%x%x%x%x)L(%x%x%x%x%x%x%x%x)$", "announce (Linux fills)", {"idx", "da", "len"}},
		{"^R(%d+)$", "refill", {"idx"}},
		{"^F(%d+)L(%x%x%x%x%x%x%x%x)$", "submit", {"idx", "len"}},
	},
	from_fw = {
		{"^B(%d+)L(%x%x%x%x%x%x%x%x)$", "filled", {"idx", "len"}},
		{"^R(%d+)C(%x%x%x%x%x%x%x%x)$", "returned", {"idx", "crc"}},
	},
}

local function dissect_sdb(tvb, pinfo, tree, to_fw)
	local s = tvb:raw():gsub("[%z\n]$", "") -- one trailing NUL or newline is tolerated
	local t = tree:add(p_sdb, tvb)
	pinfo.cols.protocol = "RPMsg-SDB"
	for _, form in ipairs(to_fw and sdb_forms.to_fw or sdb_forms.from_fw) do
		local caps = {s:match(form[1])}
		if #caps > 0 then
			t:add(f.sdb_kind, tvb(), form[2])
			for i, key in ipairs(form[3]) do
				local v = key == "idx" and tonumber(caps[i], 10) or tonumber(caps[i], 16)
				t:add(f["sdb_" .. key], tvb(), v)
			end
			pinfo.cols.info = string.format("SDB %s: %s", form[2], s)
			return
		end
	end
	if to_fw and #s > 0 and printable(s) and not s:match("^[BTRF]") then
		t:add(f.sdb_kind, tvb(), "command")
		t:add(f.sdb_cmd, tvb(), s)
		pinfo.cols.info = "SDB command: " .. s
	else
		t:add_expert_info(PI_MALFORMED, PI_WARN, "not an rpmsg-sdb message")
	end
end

-- Stateless: a chunk that happens to start with a magic is shown as a header too.
local function dissect_bench(tvb, pinfo, tree, to_fw)
	local n = tvb:len()
	local t = tree:add(p_bench, tvb)
	pinfo.cols.protocol = "RPMsg-BENCH"
	if not to_fw then
		if n == 2 then
			t:add_le(f.b_reply, tvb(0, 2))
			pinfo.cols.info = string.format("bench reply: %d bytes", tvb(0, 2):le_uint())
		end
		return
	end
	if n >= 8 and tvb(0, 4):le_uint() == 0x48434E42 then
		t:add(f.b_form, tvb(0, 8), "32-bit")
		t:add_le(f.b_magic, tvb(0, 4))
		t:add_le(f.b_length, tvb(4, 4))
		pinfo.cols.info = string.format("bench block: %d bytes follow", tvb(4, 4):le_uint())
	elseif n >= 6 and tvb(0, 2):le_uint() == 0xABCD then
		t:add(f.b_form, tvb(0, 6), "article")
		t:add_le(f.b_pre, tvb(0, 2))
		t:add_le(f.b_length, tvb(2, 2))
		t:add_le(f.b_crc, tvb(4, 2))
		pinfo.cols.info = string.format("bench block: %d bytes in all", tvb(2, 2):le_uint())
	else
		t:add(f.b_form, tvb(), "payload chunk")
	end
end

local services = {["rpmsg-sdb-channel"] = dissect_sdb, ["rpmsg-netlink"] = dissect_bench}

local function dissect_rpmsg(tvb, pinfo, tree, name, to_fw)
	local t = tree:add(p_rpmsg, tvb(0, HDR_SIZE))
	t:add_le(f.src, tvb(0, 4))
	t:add_le(f.dst, tvb(4, 4))
	t:add_le(f.reserved, tvb(8, 4))
	t:add_le(f.len, tvb(12, 2))
	t:add_le(f.flags, tvb(14, 2))
	local plen = tvb:len() - HDR_SIZE
	if tvb(12, 2):le_uint() ~= plen then
		t:add_expert_info(PI_MALFORMED, PI_WARN,
			string.format("header len %d, %d payload bytes recorded", tvb(12, 2):le_uint(), plen))
	end
	local src, dst = tvb(0, 4):le_uint(), tvb(4, 4):le_uint()
	pinfo.cols.protocol = "RPMsg"
	pinfo.cols.src = string.format("%s:0x%x", to_fw and "Linux" or "fw", src)
	pinfo.cols.dst = string.format("%s:0x%x", to_fw and "fw" or "Linux", dst)
	pinfo.cols.info = string.format("%s, %d bytes", name ~= "" and name or "?", plen)
	if plen == 0 then
		return
	end
	local pl = tvb(HDR_SIZE, plen)
	t:add(f.payload, pl)
	if printable(pl:raw()) then
		t:add(f.text, pl, pl:raw())
		pinfo.cols.info = string.format("%s: \"%s\"", name, pl:raw())
	end
	if dst == NS_ADDR and not to_fw then
		dissect_ns(pl:tvb(), pinfo, tree)
	elseif services[name] then
		services[name](pl:tvb(), pinfo, tree, to_fw)
	end
end

function p_ampsim.dissector(tvb, pinfo, tree)
	if tvb:len() < PHDR_SIZE + HDR_SIZE or tvb(2, 2):le_uint() ~= PHDR_SIZE then
		tree:add_expert_info(PI_MALFORMED, PI_ERROR, "not an ampsim v1 capture packet")
		return 0
	end
	local t = tree:add(p_ampsim, tvb(0, PHDR_SIZE))
	t:add(f.version, tvb(0, 1))
	t:add(f.dir, tvb(1, 1))
	t:add_le(f.hlen, tvb(2, 2))
	local name = cstring(tvb(4, 32))
	t:add(f.name, tvb(4, 32), name)
	local to_fw = tvb(1, 1):uint() == 0
	dissect_rpmsg(tvb(PHDR_SIZE):tvb(), pinfo, tree, name, to_fw)
	return tvb:len()
end

local encaps = wtap_encaps or wtap
DissectorTable.get("wtap_encap"):add(encaps.USER0, p_ampsim)
